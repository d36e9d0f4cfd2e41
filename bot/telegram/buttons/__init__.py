"""Every kind of button (callback data), one module per flow: activation, buy, rent, multi,
prices, settings, offers; shapes.py holds the fields several kinds share. Buttons carry ids
and choices only; drafts, prices and keys stay server-side.
"""
