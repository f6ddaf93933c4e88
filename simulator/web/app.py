"""The web app's pages: the profile form, a job's progress and results, the teaching page.

A Flask application made by :func:`create_app`.  Every page is rendered on
the server from the same library the command line uses; the only scripts are
the job page's progress poll and the teaching page's animation.  A request
that posts a form from another site is refused (a page elsewhere cannot
start runs here), and any error is one line on the page, never a traceback.
"""

from __future__ import annotations

import logging
from pathlib import Path
from urllib.parse import urlparse

from flask import Flask, abort, jsonify, redirect, render_template, request, send_file, url_for
from markupsafe import Markup

from simulator import __version__
from simulator.errors import MatchsimError, ScenarioError
from simulator.report.html import REPORT, STYLE, report_body
from simulator.vocabulary import PROPOSING_SIDES
from simulator.web.forms import SETTINGS, STRATEGY_KEYS, STRATEGY_ROWS, profile_groups, read_form
from simulator.web.jobs import Jobs
from simulator.web.lessons import FIRST_LESSON, lesson_data, read_lesson, shipped_lessons

__all__ = ["create_app"]

_log = logging.getLogger(__name__)
#: The largest form the app reads (a typed-in market included).
MAX_FORM_BYTES = 256 * 1024


def create_app(home=None, *, workers: int | None = None) -> Flask:
    """The web app; runs write to ``home/results`` (``home``: the current folder) with
    ``workers`` local processes (default: all cores)."""
    app = Flask(__name__)
    app.config["MAX_CONTENT_LENGTH"] = MAX_FORM_BYTES
    app.json.sort_keys = False  # names stay in their file's order
    jobs = Jobs(Path(home or Path.cwd()) / "results", workers)
    app.extensions["matchsim_jobs"] = jobs

    @app.context_processor
    def shared():
        return {"version": __version__, "report_style": Markup(STYLE)}

    @app.before_request
    def same_site_only():
        origin = request.headers.get("Origin")
        if request.method == "POST" and origin and urlparse(origin).netloc != request.host:
            abort(403)

    @app.get("/")
    def index():
        return _form_page({}, {})

    @app.post("/run")
    def start():
        text, compare, errors = read_form(request.form)
        if errors:
            return _form_page(request.form, errors), 400
        job = jobs.submit(text, compare=compare)
        return redirect(url_for("job_page", number=job.number))

    @app.get("/jobs/<int:number>")
    def job_page(number: int):
        job = _job(jobs, number)
        body = Markup(report_body(job.result)) if job.state == "finished" else ""
        return render_template("job.html", job=job, body=body, report=REPORT)

    @app.get("/jobs/<int:number>/status")
    def job_status(number: int):
        return jsonify(_job(jobs, number).status())

    @app.get("/jobs/<int:number>/report.html")
    def job_report(number: int):
        path = _job(jobs, number).folder / REPORT
        if not path.is_file():
            abort(404)
        return send_file(path.resolve(), mimetype="text/html")

    @app.route("/teach", methods=["GET", "POST"])
    def teach():
        name = request.values.get("lesson", FIRST_LESSON)
        text = request.form.get("market") if request.method == "POST" else None
        proposing = request.values.get("proposing", "applicants")
        if proposing not in PROPOSING_SIDES:
            proposing = "applicants"
        data, error = None, ""
        try:
            data = lesson_data(read_lesson(name, text), proposing)
        except ScenarioError as problem:
            error = str(problem)
        page = render_template(
            "teach.html",
            lessons=shipped_lessons(),
            lesson=name,
            market=text or "",
            proposing=proposing,
            sides=PROPOSING_SIDES,
            data=data,
            error=error,
        )
        return page, 400 if error else 200

    @app.errorhandler(MatchsimError)
    def user_error(error):
        return render_template("error.html", message=str(error)), 400

    @app.errorhandler(Exception)
    def failure(error):
        code = getattr(error, "code", 500)
        if code == 500:
            _log.exception("request failed")
        message = getattr(error, "description", None) or f"{type(error).__name__}: {error}"
        return render_template("error.html", message=message), code

    def _form_page(values, errors):
        return render_template(
            "index.html",
            profile=profile_groups(),
            settings=SETTINGS,
            strategy_keys=STRATEGY_KEYS,
            strategy_rows=range(1, STRATEGY_ROWS + 1),
            values=values,
            errors=errors,
        )

    return app


def _job(jobs: Jobs, number: int):
    job = jobs.get(number)
    if job is None:
        abort(404)
    return job
