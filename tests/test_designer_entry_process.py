"""The designer's pages choose the entry process of a package with several, and refuse remote form references."""
from test_designer_web import post_json
from test_upload_errors import two_processes


def test_the_editor_offers_the_entry_process_choice(designer):
    post_json(designer, "/designer/sample/draft", {"files": two_processes(), "base_version": None})
    html = designer.get("/designer/sample/edit").get_data(as_text=True)
    assert 'id="entry-process"' in html and "入口流程" in html


def test_check_dry_run_and_deploy_take_the_chosen_entry_process(designer):
    files = two_processes()
    ambiguous = post_json(designer, "/designer/check", {"files": files}).get_json()["problems"]
    assert [p["element"] for p in ambiguous] == ["package"]
    assert post_json(designer, "/designer/check", {"files": files, "entry_process": "other"}).get_json() == {"problems": []}
    run = post_json(designer, "/designer/dry-run", {"files": files, "entry_process": "other",
                                                    "answers": {"work_2": {"note": "ok"}}}).get_json()
    assert run["status"] == "completed" and run["path"][0]["process_id"] == "other"
    deployed = post_json(designer, "/designer/other/deploy", {"files": files, "entry_process": "other"})
    assert deployed.status_code == 201 and deployed.get_json()["process_id"] == "other"
    assert post_json(designer, "/designer/check", {"files": files, "entry_process": "x y"}).status_code == 400


def test_the_form_preview_refuses_a_reference_outside_the_form(designer):
    schema = {"type": "object", "properties": {"note": {"$ref": "http://127.0.0.1:9/note.json"}}}
    response = post_json(designer, "/designer/form-preview", {"schema": schema, "ui_schema": {}})
    assert response.status_code == 400 and "指向本表单之外" in response.get_json()["message"]  # the editor's language
    designer.get("/designer?lang=en")
    response = post_json(designer, "/designer/form-preview", {"schema": schema, "ui_schema": {}})
    assert response.status_code == 400 and "outside this form" in response.get_json()["message"]
