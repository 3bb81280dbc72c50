"""A job for the queue tests: it records that it ran, in Redis or in a list."""
RAN: list[int] = []


def record(value: int) -> int:
    RAN.append(value)
    return value * 2
