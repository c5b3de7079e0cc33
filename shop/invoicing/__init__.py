"""Pay on invoice (net terms) for verified retail buyers (docs/payments.md: Invoice).

Staff give a buyer terms (net 7, 15, 30 or 60 days) and a credit limit; such a buyer
may choose "pay on invoice" at checkout. The order is confirmed without payment
(``invoiced``), the platform issues an invoice (PDF) with its due date, and the order
becomes paid when the invoice's payments (a slip the buyer sends, or a transfer staff
record) reach its total.
"""
