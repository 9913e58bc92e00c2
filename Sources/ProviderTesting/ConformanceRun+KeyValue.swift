//===----------------------------------------------------------------------===//
// This source file is part of the provider-runtime open source project.
// Licensed under Apache License v2.0. See LICENSE for details.
//===----------------------------------------------------------------------===//

import ProviderCore

// The key-value checks.
extension ConformanceRun {
    func keyValueWatchOrder() async throws {
        let bucket = "conformance_\(self.token)"
        try await self.withTransports(1) { transports in
            let transport = transports[0]
            let store = try await self.within("create bucket \(bucket)") {
                try await transport.keyValueStore(bucket: bucket, createIfMissing: true)
            }
            try self.expect(store.bucket == bucket, "the store's bucket is \(store.bucket), expected \(bucket)")
            let existing = try await self.within("put before the watch") {
                try await store.put("existing", value: Array("0".utf8))
            }
            let watch = try await self.within("start the watch") { try await store.watchAll() }
            let revisions = try await self.within("put, update and delete") {
                let first = try await store.put("a", value: Array("1".utf8))
                let second = try await store.put("b", value: Array("2".utf8))
                let update = try await store.put("a", value: Array("3".utf8))
                try await store.delete("a")
                return [first, second, update]
            }
            let entries = try await self.within("5 watch entries") {
                var entries: [KeyValueEntry] = []
                for try await entry in watch {
                    entries.append(entry)
                    if entries.count == 5 { break }
                }
                return entries
            }
            try self.expect(entries.count == 5, "the watch ended after \(entries.count) of 5 entries")

            let expected: [(key: String, operation: KeyValueEntry.Operation, value: String, revision: UInt64?)] = [
                ("existing", .put, "0", existing),
                ("a", .put, "1", revisions[0]),
                ("b", .put, "2", revisions[1]),
                ("a", .put, "3", revisions[2]),
                ("a", .delete, "", nil),
            ]
            for (index, (entry, want)) in zip(entries, expected).enumerated() {
                let got = "\(entry.key) \(entry.operation) \"\(String(decoding: entry.value, as: UTF8.self))\""
                try self.expect(
                    entry.key == want.key && entry.operation == want.operation && entry.value == Array(want.value.utf8),
                    "watch entry \(index) is \(got); expected \(want.key) \(want.operation) \"\(want.value)\""
                )
                try self.expect(entry.bucket == bucket, "watch entry \(index) names bucket \(entry.bucket)")
                if let revision = want.revision {
                    try self.expect(
                        entry.revision == revision,
                        "watch entry \(index) has revision \(entry.revision); the put returned \(revision)"
                    )
                }
            }
            let watched = entries.map(\.revision)
            try self.expect(
                zip(watched, watched.dropFirst()).allSatisfy { $0 < $1 },
                "watch revisions \(watched) do not increase"
            )

            let (deleted, kept, before) = try await self.within("read back") {
                (try await store.get("a"), try await store.get("b"), try await store.get("existing"))
            }
            try self.expect(deleted == nil, "get returned \(String(describing: deleted)) for a deleted key")
            try self.expect(
                kept?.value == Array("2".utf8) && kept?.revision == revisions[1] && kept?.operation == .put,
                "get(\"b\") returned \(String(describing: kept))"
            )
            try self.expect(before?.revision == existing, "get(\"existing\") returned \(String(describing: before))")
        }
    }

    func keyValueMissingBucket() async throws {
        let bucket = "conformance_missing_\(self.token)"
        try await self.withTransports(1) { transports in
            let transport = transports[0]
            try await self.expectError("open missing bucket \(bucket)", codes: [.keyValueFailure]) {
                _ = try await transport.keyValueStore(bucket: bucket, createIfMissing: false)
            }
        }
    }
}
