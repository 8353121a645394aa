"""gunicorn's settings for Airtng's web process (the Procfile's `web`).

Each can be set from the environment; the defaults suit one small machine behind a proxy.
"""

import os

# honcho (and most platforms) give each web process its PORT; BIND overrides both.
bind = os.environ.get("BIND") or (
    f"{os.environ.get('WEB_HOST', '0.0.0.0')}:{os.environ.get('PORT', '8000')}"
)
# Processes times threads is how many requests are answered at once. Threads suit Airtng: a
# request mostly waits on the database, and no request waits on Twilio (the worker sends SMS).
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
threads = int(os.environ.get("WEB_THREADS", "4"))
# Twilio waits 15 seconds for a webhook's answer; a request still running after this is stuck.
timeout = int(os.environ.get("WEB_TIMEOUT", "20"))
graceful_timeout = 20
keepalive = 5
# Recycled now and then, so that a slow leak never takes a process down.
max_requests = 2000
max_requests_jitter = 200
# X-Forwarded-Proto and -For are believed from these addresses only: the proxy in front.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
# One line per request on stdout, beside the application's own log lines.
accesslog = "-"
errorlog = "-"
access_log_format = '%(h)s "%(r)s" %(s)s %(b)s %(M)sms "%(a)s"'
# The demo run (make run) restarts the web process when the code changes.
reload = os.environ.get("WEB_RELOAD", "").lower() in ("1", "true", "yes", "on")
# gunicorn's control socket is one path per user: two web processes on one machine would share it.
control_socket_disable = True
