"""Quality: quality events of the communication list, deviations and CAPA, retention obligations."""
