"""filing: 一备案, the street's filing of a project decision (filed or rejected), its number and receipt."""
