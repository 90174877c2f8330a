"""Ballots on the web: voting from a phone, the facilitator's console, the scrutineer's room
count, the projector, results and their exports.

Every page works with plain forms; htmx swaps fragments for speed. Pages that change while
people look at them (turnout, the member's ballot area, the projector) are cheap fragments that
htmx re-fetches every few seconds; the status poll answers 204 while nothing changed, so a room
of phones costs one indexed lookup each per poll. Server-sent events (#8) can replace the polls
by triggering the same fragment requests.

By area: ``vote`` (the member's side), ``console`` (facilitator, scrutineer, projector),
``drafts`` (preparing ballots), ``results`` (files), ``common`` (what they share).
"""
