"""The process that runs the queued imports for a web process (`cxgov.journeys.import_jobs.start_worker`):
`python -m cxgov.import_process`, the settings on stdin as JSON ({"nice": n, "config":
{…}}). It lowers its CPU priority first, then builds the app with those settings and runs the queue
until it is empty (`import_jobs.run_queued`); what a job does or fails with is recorded on its row."""
import json
import os
import sys


def main():
    settings = json.load(sys.stdin)
    os.nice(settings["nice"])
    from cxgov import create_app
    from cxgov.journeys import import_jobs

    app = create_app(settings["config"])
    with app.app_context():
        import_jobs.run_queued()


if __name__ == "__main__":
    main()
