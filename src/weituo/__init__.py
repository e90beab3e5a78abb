"""weituo (委托): quality management and supervision of contract manufacturing under NMPA rules."""

__version__ = "0.1.0"
