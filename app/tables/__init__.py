"""Tables shared by list pages, the audit log and monitoring: reading their filters, showing times, exporting them."""
