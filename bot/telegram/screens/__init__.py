"""What the user sees, one module per screen family; each card is built by exactly one function.

activation.py  the activation card (text, status, buttons, options, a press's notice)
rent.py        the rent card and its extension choices
pickers.py     what every picker shares: labels, country names, pages, listed names
"""
