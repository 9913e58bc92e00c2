//===----------------------------------------------------------------------===//
// This source file is part of the provider-runtime open source project.
// Licensed under Apache License v2.0. See LICENSE for details.
//===----------------------------------------------------------------------===//

/// A CloudEvents 1.0 envelope in structured JSON mode, as the wasmCloud host publishes it on
/// `wasmbus.evt.{lattice}.{name}` (§9.1).
///
/// Encoded compact, attributes in this order: `specversion`, `id`, `type`, `source`,
/// `datacontenttype`, `time`, `data`. There are no other attributes.
public struct CloudEvent<Payload: Codable & Sendable>: Codable, Sendable {
    /// Always `"1.0"`.
    public var specVersion: String
    /// A ULID-as-UUID event id (see EventID).
    public var id: String
    /// `com.wasmcloud.lattice.{name}`.
    public var type: String
    /// The host id of the publisher.
    public var source: String
    /// Always `"application/json"`.
    public var dataContentType: String
    /// RFC 3339 UTC time (see EventTime).
    public var time: String
    /// The event's data object.
    public var data: Payload

    /// The prefix of every event type.
    public static var typePrefix: String { "com.wasmcloud.lattice." }

    /// Creates an envelope for an event.
    /// - Parameters:
    ///   - name: The event name, for example `provider_started`.
    ///   - source: The publishing host's id.
    ///   - data: The event data.
    ///   - id: The event id; a new ULID-as-UUID by default.
    ///   - time: The event time; now by default.
    public init(name: String, source: String, data: Payload, id: String = EventID.make(), time: EventTime = .now()) {
        self.specVersion = "1.0"
        self.id = id
        self.type = Self.typePrefix + name
        self.source = source
        self.dataContentType = "application/json"
        self.time = time.description
        self.data = data
    }

    /// The event name: `type` without the `com.wasmcloud.lattice.` prefix.
    public var name: String {
        self.type.hasPrefix(Self.typePrefix) ? String(self.type.dropFirst(Self.typePrefix.count)) : self.type
    }

    private enum CodingKeys: String, CodingKey {
        case specVersion = "specversion"
        case id
        case type
        case source
        case dataContentType = "datacontenttype"
        case time
        case data
    }

    /// Reads an envelope; `specversion` must be `1.0` and `id`, `type`, `source` must be non-empty.
    /// - Parameter decoder: The decoder to read from.
    /// - Throws: `DecodingError` naming the missing or invalid attribute.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.specVersion = try container.decode(String.self, forKey: .specVersion)
        guard self.specVersion == "1.0" else {
            throw DecodingError.dataCorruptedError(
                forKey: .specVersion,
                in: container,
                debugDescription: "only CloudEvents 1.0 is supported"
            )
        }
        self.id = try container.decode(String.self, forKey: .id)
        self.type = try container.decode(String.self, forKey: .type)
        self.source = try container.decode(String.self, forKey: .source)
        for (value, key) in [(self.id, CodingKeys.id), (self.type, .type), (self.source, .source)] where value.isEmpty {
            throw DecodingError.dataCorruptedError(forKey: key, in: container, debugDescription: "must not be empty")
        }
        self.dataContentType = try container.decodeIfPresent(String.self, forKey: .dataContentType) ?? ""
        self.time = try container.decodeIfPresent(String.self, forKey: .time) ?? ""
        self.data = try container.decode(Payload.self, forKey: .data)
    }

    /// Writes the attributes in the order of the Rust host.
    /// - Parameter encoder: The encoder to write to.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(self.specVersion, forKey: .specVersion)
        try container.encode(self.id, forKey: .id)
        try container.encode(self.type, forKey: .type)
        try container.encode(self.source, forKey: .source)
        try container.encode(self.dataContentType, forKey: .dataContentType)
        try container.encode(self.time, forKey: .time)
        try container.encode(self.data, forKey: .data)
    }
}

extension CloudEvent: Equatable where Payload: Equatable {}
extension CloudEvent: Hashable where Payload: Hashable {}

extension CloudEvent where Payload: ProviderEventPayload {
    /// Creates the envelope for a provider event, named by its payload.
    /// - Parameters:
    ///   - payload: The event data.
    ///   - source: The publishing host's id.
    ///   - id: The event id; a new ULID-as-UUID by default.
    ///   - time: The event time; now by default.
    public init(_ payload: Payload, source: String, id: String = EventID.make(), time: EventTime = .now()) {
        self.init(name: payload.eventName, source: source, data: payload, id: id, time: time)
    }
}

extension CloudEvent {
    /// The envelope as compact wire JSON: the same bytes as `WireJSON.encode(self)`, made faster
    /// by writing the envelope directly and encoding only `data`.
    /// - Returns: UTF-8 JSON bytes.
    /// - Throws: ``ProviderError`` with code ``ProviderError/Code/encodingFailed`` when the data
    ///   cannot be encoded.
    public func wireJSON() throws(ProviderError) -> [UInt8] {
        let data = try WireJSONEncoder().encode(self.data)
        var output: [UInt8] = []
        output.reserveCapacity(data.count + 128 + self.id.utf8.count + self.type.utf8.count + self.source.utf8.count)
        for (key, value) in [
            ("{\"specversion\":", self.specVersion), (",\"id\":", self.id), (",\"type\":", self.type),
            (",\"source\":", self.source), (",\"datacontenttype\":", self.dataContentType), (",\"time\":", self.time),
        ] {
            JSONNode.appendUTF8(key, to: &output)
            JSONNode.writeString(value, to: &output)
        }
        JSONNode.appendUTF8(",\"data\":", to: &output)
        output.append(contentsOf: data)
        output.append(UInt8(ascii: "}"))
        return output
    }
}
