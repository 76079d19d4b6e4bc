"""District departments (区级职能部门): the directory a street dispatches (派单) needs to."""
