//===----------------------------------------------------------------------===//
// This source file is part of the provider-runtime open source project.
// Licensed under Apache License v2.0. See LICENSE for details.
//===----------------------------------------------------------------------===//

import CNats
import ProviderCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Copying messages between libnats and Swift.
enum NatsMessage {
    /// Copies a libnats message into Swift values. Does not destroy it.
    static func copy(_ message: OpaquePointer) -> TransportMessage {
        let subject = String(cString: natsMsg_GetSubject(message))
        let reply = natsMsg_GetReply(message).map { String(cString: $0) }
        let count = Int(natsMsg_GetDataLength(message))
        var payload: [UInt8] = []
        if count > 0, let data = natsMsg_GetData(message) {
            payload = Array(UnsafeRawBufferPointer(start: data, count: count))
        }
        return TransportMessage(
            subject: subject,
            payload: payload,
            headers: Self.headers(of: message),
            replySubject: reply
        )
    }

    private static func headers(of message: OpaquePointer) -> MessageHeaders {
        var keys: UnsafeMutablePointer<UnsafePointer<CChar>?>?
        var keyCount: Int32 = 0
        guard natsMsgHeader_Keys(message, &keys, &keyCount) == NATS_OK, let keys else {
            return MessageHeaders()
        }
        defer { free(keys) }
        var fields: [MessageHeaders.Field] = []
        for index in 0..<Int(keyCount) {
            guard let key = keys[index] else { continue }
            var values: UnsafeMutablePointer<UnsafePointer<CChar>?>?
            var valueCount: Int32 = 0
            guard natsMsgHeader_Values(message, key, &values, &valueCount) == NATS_OK, let values else { continue }
            let name = String(cString: key)
            for valueIndex in 0..<Int(valueCount) {
                if let value = values[valueIndex] {
                    fields.append(MessageHeaders.Field(name: name, value: String(cString: value)))
                }
            }
            free(values)
        }
        return MessageHeaders(fields)
    }

    /// Publishes a payload, with headers and a reply subject when given.
    /// - Returns: The libnats status.
    static func publish(
        on connection: OpaquePointer,
        subject: String,
        replySubject: String?,
        payload: [UInt8],
        headers: MessageHeaders
    ) -> natsStatus {
        payload.withUnsafeBytes { bytes in
            let count = Int32(clamping: bytes.count)
            if headers.isEmpty {
                if let replySubject {
                    return natsConnection_PublishRequest(connection, subject, replySubject, bytes.baseAddress, count)
                }
                return natsConnection_Publish(connection, subject, bytes.baseAddress, count)
            }
            var message: OpaquePointer?
            let created = natsMsg_Create(&message, subject, replySubject, bytes.baseAddress, count)
            guard created == NATS_OK, let message else { return created }
            defer { natsMsg_Destroy(message) }
            for field in headers {
                let added = natsMsgHeader_Add(message, field.name, field.value)
                if added != NATS_OK { return added }
            }
            return natsConnection_PublishMsg(connection, message)
        }
    }
}
