"""Oversized bodies and uploads are refused with 413 before anything is read or stored."""
import gc
import io

import pytest
from werkzeug.test import EnvironBuilder


def test_an_oversized_json_body_is_refused(api, app):
    huge = b'{"title": "' + b"x" * (app.config["MAX_CONTENT_LENGTH"] + 1) + b'"}'
    response = api.client.post("/api/public/needs", data=huge, content_type="application/json")
    assert response.status_code == 413 and response.get_json()["error"]


# The test client spools a body this size to a temporary file it never closes: that is the client's.
@pytest.mark.filterwarnings("ignore::ResourceWarning", "ignore::pytest.PytestUnraisableExceptionWarning")
def test_a_file_over_the_per_file_limit_is_refused_with_its_reason(api):
    need = api.record_need()
    six_mb = io.BytesIO(b"%PDF-1.4 " + b"0" * (6 * 1024 * 1024))
    builder = EnvironBuilder(path=f"/api/instances/{need['instance_id']}/attachments", method="POST",
                             data={"files": [(six_mb, "会议记录.pdf")]}, content_type="multipart/form-data",
                             headers={"Authorization": f"Bearer {api.token('worker1')}"})
    try:  # the test client spools a body this size to a file of its own: close it
        response = api.client.open(builder)
    finally:
        builder.close()
    assert response.status_code == 400 and response.get_json()["message"]
    assert api.get(f"/api/instances/{need['instance_id']}", "worker1").get_json()["attachments"] == []
    del builder, response
    gc.collect()  # let the client's file go here, under this test's warning filter


def test_an_oversized_page_form_is_refused(client, app):
    response = client.post("/submit", data={"title": "x" * (app.config["MAX_CONTENT_LENGTH"] + 1)})
    assert response.status_code == 413
