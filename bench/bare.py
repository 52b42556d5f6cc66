"""The bare one-route Flask app every page is compared with (served the same way, in the same round)."""

from flask import Flask

app = Flask(__name__)


@app.get("/")
@app.get("/healthz")
def hello():
    return "Hello, World!"
