"""Ballots on the web: voting from a phone, the facilitator's console, the scrutineer's room
count, the projector, results and their exports.

Every page works with plain forms; htmx swaps fragments for speed. Pages that change while
people look at them (turnout, the member's ballot area, the projector) are cheap fragments that
re-fetch when the ballot's live stream (``votes.web.live``) says they changed, with a slow poll
behind it for a stream that was lost; the status poll answers 204 while nothing changed, so a
room of phones costs one indexed lookup each per poll.

By area: ``vote`` (the member's side), ``console`` (facilitator, scrutineer, projector),
``drafts`` (preparing ballots), ``results`` (files), ``common`` (what they share).
"""
