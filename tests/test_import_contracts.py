"""The layer contracts in pyproject.toml ([tool.importlinter]) hold: `lint-imports` passes."""
import subprocess
import sys
from pathlib import Path


def test_the_import_contracts_are_kept(repo_root):
    lint_imports = Path(sys.executable).with_name("lint-imports")
    result = subprocess.run([str(lint_imports), "--no-cache"], cwd=repo_root, capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def test_a_domain_operation_that_needs_the_time_loads_no_engine(repo_root):
    """app.clock is a module of its own: reading the time pulls in no SpiffWorkflow."""
    probe = ("import sys, app.modules.delivery.operations; "
             "print(any(m.split('.')[0] == 'SpiffWorkflow' for m in sys.modules))")
    result = subprocess.run([sys.executable, "-c", probe], cwd=repo_root, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False"
