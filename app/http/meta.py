"""Health check and the OpenAPI document."""
from flask import Blueprint, jsonify
from sqlalchemy import text

from app.extensions import db
from app.http.openapi import document

bp = Blueprint("api_meta", __name__)


@bp.get("/healthz")
def healthz():
    db().execute(text("SELECT 1"))
    return jsonify({"ok": True})


@bp.get("/api/openapi.json")
def openapi():
    return jsonify(document())
