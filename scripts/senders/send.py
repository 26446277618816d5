"""Segment's and RudderStack's Python libraries, unchanged, pointed at `ac-segment serve`."""
import sys

from rudderstack.analytics import Client as RudderClient
from segment.analytics import Client as SegmentClient

host, key = sys.argv[1], sys.argv[2]
errors = []


def on_error(e, batch):
    errors.append(f"{e} ({len(batch)} messages)")


seg = SegmentClient(key, host=host, on_error=on_error, gzip=True)
for i in range(150):
    seg.identify(f"py{i}", {"email": f"py{i}@example.com", "firstName": "Py", "tags": ["python"]})
    seg.track(f"py{i}", "Order Placed", {"email": f"py{i}@example.com", "value": i})
seg.flush()
seg.shutdown()

# RudderStack's SDK gzips by default and puts identify traits only in context.traits.
rs = RudderClient(key, host, on_error=on_error)
for i in range(120):
    rs.identify(f"rs{i}", {"email": f"rs{i}@example.com", "firstName": "Rudder"})
    rs.track(f"rs{i}", "Signed Up", {"email": f"rs{i}@example.com"})
rs.flush()
rs.shutdown()

if errors:
    sys.exit("python senders failed: " + "; ".join(errors))
print("python senders: 540 messages sent")
