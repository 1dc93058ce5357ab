"""Pages for administering cxgov (users, departments) and the audit trail. Everything goes
through the services of the features below (`cxgov.org`, `cxgov.auth`, `cxgov.notifications`)
and the rules of `cxgov.policy`; this package holds no rule of its own."""
