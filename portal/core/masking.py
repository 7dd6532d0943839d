"""Personal data as shown to someone other than its owner: enough to recognise, not to use."""

MASK = "*"


def mask_phone(value: str) -> str:
    """138****1234: the first three and the last four characters, every digit between them masked."""
    value = (value or "").strip()
    if sum(c.isdigit() for c in value) < 7:
        return "".join(MASK if c.isdigit() else c for c in value)
    middle = "".join(MASK if c.isdigit() else c for c in value[3:-4])
    return f"{value[:3]}{middle}{value[-4:]}"
