"""Attachments: checked for type, content and size; visible only within scope; audited."""
import io

import pytest

from app.workflow.models.instance import Instance
from app.workflow.attachments import add_attachments
from app.errors import Invalid
from helpers import csrf_of, sign_in

PDF = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"


def upload(api, instance_id: int, files: dict[str, bytes], as_user: str = "worker1"):
    data = {"files": [(io.BytesIO(content), name) for name, content in files.items()]}
    return api.client.post(f"/api/instances/{instance_id}/attachments", data=data, content_type="multipart/form-data",
                           headers={"Authorization": f"Bearer {api.token(as_user)}"})


def test_upload_list_download_and_scope(api):
    iid = api.record_need()["instance_id"]
    response = upload(api, iid, {"签到表.pdf": PDF})
    assert response.status_code == 201
    attachment = response.get_json()["attachments"][0]
    assert attachment["filename"] == "签到表.pdf" and attachment["size"] == len(PDF)
    listed = api.get(f"/api/instances/{iid}", "worker1").get_json()["attachments"]
    assert [a["id"] for a in listed] == [attachment["id"]]
    download = api.get(f"/api/attachments/{attachment['id']}", "auditor1")
    assert download.status_code == 200 and download.data == PDF
    assert "attachment" in download.headers["Content-Disposition"]
    assert api.get(f"/api/attachments/{attachment['id']}", "worker2").status_code == 403
    assert upload(api, iid, {"x.pdf": PDF}, as_user="worker2").status_code == 403
    events = api.get(f"/api/instances/{iid}/history", "auditor1").get_json()["events"]
    assert any(e["event_type"] == "attachment_added" and e["data_changes"]["filename"] == "签到表.pdf" for e in events)


def test_bad_files_are_refused_and_nothing_is_stored(api):
    iid = api.record_need()["instance_id"]
    for files, message in (({"run.exe": b"MZ..."}, "unsupported file type"),
                           ({"photo.png": b"MZ not a png"}, "content does not match its type"),
                           ({"empty.txt": b""}, "empty file"),
                           ({"ok.pdf": PDF, "../../etc/passwd.sh": b"#!"}, "unsupported file type")):
        response = upload(api, iid, files)
        assert response.status_code == 400 and response.get_json()["fields"]["attachments"] == message
    assert api.get(f"/api/instances/{iid}", "worker1").get_json()["attachments"] == []


def test_attach_a_file_while_completing_a_task_on_the_page(client, api):
    api.record_need()
    task = api.task_for("worker1", "assess_reasonableness")
    sign_in(client, "worker1")
    token = csrf_of(client.get(f"/tasks/{task['id']}").get_data(as_text=True))
    response = client.post(f"/tasks/{task['id']}", content_type="multipart/form-data", data={
        "csrf_token": token, "reasonable": "true", "basis": "物业合同",
        "attachments": [(io.BytesIO(PDF), "现场照片说明.pdf")]})
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "现场照片说明.pdf" in page and "合理性研判" in page


def test_files_over_five_megabytes_are_refused(app, api):
    # Checked below HTTP: the test client leaks the temporary file it spools a large body into.
    iid = api.record_need()["instance_id"]
    with app.extensions["db_sessions"]() as session:
        instance = session.get(Instance, iid)
        with pytest.raises(Invalid) as refused:
            add_attachments(session, instance, [("big.txt", b"x" * (5 * 1024 * 1024 + 1))], None)
    assert refused.value.fields == {"attachments": "file too large"}
