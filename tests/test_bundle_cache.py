"""The parsed-bundle cache: keyed by what a version holds, filled only with what a commit kept."""
from sqlalchemy import select

from bpmn_samples import linear, package, process
from test_upload_errors import two_processes
from app.workflow import versions
from app.workflow.models.process import ProcessDefinition, ProcessVersion


def _package(process_id: str) -> dict[str, str]:
    return package(process(linear(), process_id=process_id))


def test_a_rolled_back_deploy_leaves_no_bundle_for_a_later_version_with_its_id(app):
    """Deploy A, read its bundle, roll back; another worker's deploy of B gets the same row id (SQLite
    reuses it; here the id is given, so PostgreSQL's sequence reproduces it too): its id means B now."""
    sessions = app.extensions["db_sessions"]
    with app.app_context():
        with sessions() as session:
            version_a, created = versions.deploy(session, _package("cache_a"), None)
            assert created
            reused_id = version_a.id
            assert versions.bundle_for(session, reused_id).process_id == "cache_a"  # e.g. a trial run
            session.rollback()
        assert_no_version(sessions, reused_id)

        files_b = _package("cache_b")
        with sessions() as other_worker:  # what another worker's deploy of B writes
            definition = ProcessDefinition(process_id="cache_b", name="B")
            other_worker.add(definition)
            other_worker.flush()
            other_worker.add(ProcessVersion(id=reused_id, definition_id=definition.id, version=1,
                                            content_hash=versions.version_hash(files_b), files=files_b))
            other_worker.commit()

        with sessions() as session:
            bundle = versions.bundle_for(session, reused_id)
            assert bundle.process_id == "cache_b"
            assert bundle.files == files_b


def test_a_committed_deploy_is_parsed_once(app):
    """The bundle a deploy parsed serves the version after commit: no second parse."""
    sessions = app.extensions["db_sessions"]
    with app.app_context():
        with sessions() as session:
            version, _ = versions.deploy(session, _package("cache_once"), None)
            session.commit()
            version_id = version.id
        with sessions() as session:
            first = versions.bundle_for(session, version_id)
        with sessions() as session:
            assert versions.bundle_for(session, version_id) is first
            assert first.process_id == "cache_once"


def test_the_same_files_under_two_entry_processes_are_two_bundles(app):
    """Same content, another entry process: the cache key is the content hash and the process id."""
    sessions = app.extensions["db_sessions"]
    files = two_processes()
    with app.app_context():
        with sessions() as session:
            first, _ = versions.deploy(session, files, None, entry_process="sample")
            second, _ = versions.deploy(session, files, None, entry_process="other")
            session.commit()
            assert first.content_hash == second.content_hash and first.id != second.id
            ids = first.id, second.id
        with sessions() as session:
            assert [versions.bundle_for(session, i).process_id for i in ids] == ["sample", "other"]


def assert_no_version(sessions, version_id: int) -> None:
    with sessions() as session:
        assert session.scalar(select(ProcessVersion).where(ProcessVersion.id == version_id)) is None
