"""English text that is also a catalogue msgid with its params, so the edges can translate it.

The engine knows no Flask: it writes its messages (a package's problems, a dry run's stop) as `Text`,
which reads as the English sentence it always was; a page or the editor's JSON calls `translated` with
its gettext, and a Text given as a param is translated with it."""


class Text(str):
    """The English sentence `msgid % params`, remembering its msgid and params."""

    msgid: str
    params: dict

    def __new__(cls, msgid: str, **params):
        text = super().__new__(cls, msgid % params if params else msgid)
        text.msgid, text.params = msgid, params
        return text

    def translated(self, gettext) -> str:
        """The text in the reader's language, given the edge's gettext."""
        params = {name: translated(value, gettext) for name, value in self.params.items()}
        return gettext(self.msgid, **params) if params else gettext(self.msgid)


def translated(text, gettext):
    """A Text in the reader's language; anything else (a library's own message, a name) as it is."""
    return text.translated(gettext) if isinstance(text, Text) else text
