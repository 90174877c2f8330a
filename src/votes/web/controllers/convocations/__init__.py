"""The convocation of an assembly on the web (administrators only).

By what it does: ``preparation`` (the text prefilled from the assembly, its preview as a member
reads it, sending it), ``letters`` (printed letters with each member's access code for those
without an address, and the proof of who was convened how and when, with its CSV), ``common``
(what they share: the refusals, the assembly, the notice in words).
"""
