"""People: roles, organisation scope, passwords and API tokens."""
