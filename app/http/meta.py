"""Health check and the OpenAPI document."""
from flask import Blueprint, jsonify
from sqlalchemy import text

from app.extensions import db
from app.http.openapi import document
from app.http.docs import documented

bp = Blueprint("api_meta", __name__)


@bp.get("/healthz")
@documented("Health check", errors=())
def healthz():
    db().execute(text("SELECT 1"))
    return jsonify({"ok": True})


@bp.get("/api/openapi.json")
@documented("This document: the OpenAPI 3.1 description of the JSON API", errors=())
def openapi():
    return jsonify(document())
