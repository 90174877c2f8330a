"""Ballots, by area: ``drafts`` (prepare), ``lifecycle`` (open, close, publish, cancel, reopen),
``voting`` (cast, change, held votes), ``room_counts`` (counts from the room), ``counting`` (the
count) and ``rows`` (what they read alike). Import the module you need; nothing is re-exported.
"""
