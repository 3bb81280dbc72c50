"""Outside counterparts (DESIGN.md §2): building and checking their messages, no use case,
no database. signing.py: PAdES signatures through pyHanko (PKCS#11 tokens, PKCS#12 files)."""
