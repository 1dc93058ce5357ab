"""Reminders and the in-app inbox (SPEC §6).

- Jobs (`jobs.py`) are functions of `now` that write notification rows with a deterministic
  `dedupe_key` (INSERT … ON CONFLICT DO NOTHING), in the transaction that read their reasons.
- The deliverer (`delivery.py`) mails pending rows over SMTP (`mail.py`), claiming them with
  FOR UPDATE SKIP LOCKED on PostgreSQL, and retries failures with back-off (1, 2, 4 … 60 min).
- Users who chose the daily digest are skipped by the deliverer; the `daily-digest` job gathers
  their pending reminders into one `daily_digest` notification at 07:30, which is mailed.
- The scheduler process is `cxgov/scheduler.py` (`flask --app wsgi cxgov scheduler`).
"""
