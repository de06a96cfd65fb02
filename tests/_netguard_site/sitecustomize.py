"""Put this folder on PYTHONPATH of a subprocess to install the test network guard in it."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
try:
    import _netguard
finally:
    sys.path.pop(0)
_netguard.install()
