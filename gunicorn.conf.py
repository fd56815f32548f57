"""gunicorn reads ``./gunicorn.conf.py`` by default: plain ``gunicorn
'convertr_http.app:get_app()'`` run from a checkout gets the same settings as
``make serve`` and ``convertr serve``. The settings and why they were chosen live in
``transports/http/gunicorn_conf.py`` (``python:convertr_http.gunicorn_conf``), which
installed copies use.
"""

from convertr_http.gunicorn_conf import *  # noqa: F401,F403
