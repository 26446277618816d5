// Segment's Node library, unchanged, pointed at `ac-segment serve` (several batches in flight).
import { Analytics } from '@segment/analytics-node'

const [host, writeKey] = process.argv.slice(2)
const a = new Analytics({ writeKey, host })
let errors = 0
a.on('error', (e) => { errors++; console.error('delivery failure', e.code, e.reason?.message) })
for (let i = 0; i < 100; i++) {
  a.identify({ userId: `node${i}`, traits: { email: `node${i}@example.com`, firstName: 'Node' } })
  a.track({ userId: `node${i}`, event: 'Node Event', properties: { email: `node${i}@example.com` } })
}
await a.closeAndFlush()
if (errors) { console.error(`node sender: ${errors} failures`); process.exit(1) }
console.log('node sender: 200 messages sent')
