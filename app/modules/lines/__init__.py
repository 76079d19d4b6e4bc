"""lines: 指定责任 / 兜底负责 — a need's lead (牵头负责人) and its cooperating lines (配合单位/条线)."""
