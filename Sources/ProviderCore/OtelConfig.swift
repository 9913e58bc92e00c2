//===----------------------------------------------------------------------===//
// This source file is part of the provider-runtime open source project.
// Licensed under Apache License v2.0. See LICENSE for details.
//===----------------------------------------------------------------------===//

/// OpenTelemetry settings handed to a provider in host data (§2.5).
///
/// Written in the Rust field order; `enable_observability`, `protocol`, `additional_ca_paths`
/// and `trace_level` are always written, the optional fields only when set. Unlike the Rust host,
/// the sampler, sampler argument, batch queue size and export concurrency are forwarded when set.
public struct OtelConfig: Codable, Hashable, Sendable {
    /// The OTLP export protocol. Written `"Http"`/`"Grpc"`; read also as `"http"`/`"grpc"`.
    public enum ExportProtocol: String, Codable, Hashable, Sendable {
        /// OTLP over HTTP (the default).
        case http = "Http"
        /// OTLP over gRPC.
        case grpc = "Grpc"

        /// Accepts `Http`, `http`, `Grpc` and `grpc`, nothing else (as the Rust parser).
        /// - Parameter decoder: The decoder to read from.
        /// - Throws: `DecodingError` for any other spelling.
        public init(from decoder: any Decoder) throws {
            let container = try decoder.singleValueContainer()
            switch try container.decode(String.self) {
            case "Http", "http": self = .http
            case "Grpc", "grpc": self = .grpc
            default:
                throw DecodingError.dataCorruptedError(
                    in: container,
                    debugDescription: "protocol must be Http or Grpc"
                )
            }
        }
    }

    /// Turns all signals on; default `false`.
    public var enableObservability: Bool
    /// Overrides tracing on or off.
    public var enableTraces: Bool?
    /// Overrides metrics on or off.
    public var enableMetrics: Bool?
    /// Overrides log export on or off.
    public var enableLogs: Bool?
    /// The OTLP endpoint for all signals.
    public var observabilityEndpoint: String?
    /// The OTLP endpoint for traces.
    public var tracesEndpoint: String?
    /// The OTLP endpoint for metrics.
    public var metricsEndpoint: String?
    /// The OTLP endpoint for logs.
    public var logsEndpoint: String?
    /// The export protocol; default `.http`.
    public var exportProtocol: ExportProtocol
    /// Extra CA certificate files for the exporter; default empty.
    public var additionalCAPaths: [String]
    /// The level of spans to export; default `.info`.
    public var traceLevel: LogLevel
    /// `OTEL_TRACES_SAMPLER`.
    public var tracesSampler: String?
    /// `OTEL_TRACES_SAMPLER_ARG`.
    public var tracesSamplerArg: String?
    /// The span batch queue size.
    public var maxBatchQueueSize: Int?
    /// The number of concurrent exports.
    public var concurrentExports: Int?

    /// Creates OTEL settings; every argument has the wire default.
    public init(
        enableObservability: Bool = false,
        enableTraces: Bool? = nil,
        enableMetrics: Bool? = nil,
        enableLogs: Bool? = nil,
        observabilityEndpoint: String? = nil,
        tracesEndpoint: String? = nil,
        metricsEndpoint: String? = nil,
        logsEndpoint: String? = nil,
        exportProtocol: ExportProtocol = .http,
        additionalCAPaths: [String] = [],
        traceLevel: LogLevel = .info,
        tracesSampler: String? = nil,
        tracesSamplerArg: String? = nil,
        maxBatchQueueSize: Int? = nil,
        concurrentExports: Int? = nil
    ) {
        self.enableObservability = enableObservability
        self.enableTraces = enableTraces
        self.enableMetrics = enableMetrics
        self.enableLogs = enableLogs
        self.observabilityEndpoint = observabilityEndpoint
        self.tracesEndpoint = tracesEndpoint
        self.metricsEndpoint = metricsEndpoint
        self.logsEndpoint = logsEndpoint
        self.exportProtocol = exportProtocol
        self.additionalCAPaths = additionalCAPaths
        self.traceLevel = traceLevel
        self.tracesSampler = tracesSampler
        self.tracesSamplerArg = tracesSamplerArg
        self.maxBatchQueueSize = maxBatchQueueSize
        self.concurrentExports = concurrentExports
    }

    private enum CodingKeys: String, CodingKey {
        case enableObservability = "enable_observability"
        case enableTraces = "enable_traces"
        case enableMetrics = "enable_metrics"
        case enableLogs = "enable_logs"
        case observabilityEndpoint = "observability_endpoint"
        case tracesEndpoint = "traces_endpoint"
        case metricsEndpoint = "metrics_endpoint"
        case logsEndpoint = "logs_endpoint"
        case exportProtocol = "protocol"
        case additionalCAPaths = "additional_ca_paths"
        case traceLevel = "trace_level"
        case tracesSampler = "traces_sampler"
        case tracesSamplerArg = "traces_sampler_arg"
        case maxBatchQueueSize = "max_batch_queue_size"
        case concurrentExports = "concurrent_exports"
    }

    /// Reads OTEL settings; every key is optional and defaults as in the Rust type.
    /// - Parameter decoder: The decoder to read from.
    /// - Throws: `DecodingError` when a present key has the wrong type.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.enableObservability = try container.decodeIfPresent(Bool.self, forKey: .enableObservability) ?? false
        self.enableTraces = try container.decodeIfPresent(Bool.self, forKey: .enableTraces)
        self.enableMetrics = try container.decodeIfPresent(Bool.self, forKey: .enableMetrics)
        self.enableLogs = try container.decodeIfPresent(Bool.self, forKey: .enableLogs)
        self.observabilityEndpoint = try container.decodeIfPresent(String.self, forKey: .observabilityEndpoint)
        self.tracesEndpoint = try container.decodeIfPresent(String.self, forKey: .tracesEndpoint)
        self.metricsEndpoint = try container.decodeIfPresent(String.self, forKey: .metricsEndpoint)
        self.logsEndpoint = try container.decodeIfPresent(String.self, forKey: .logsEndpoint)
        self.exportProtocol = try container.decodeIfPresent(ExportProtocol.self, forKey: .exportProtocol) ?? .http
        self.additionalCAPaths = try container.decodeIfPresent([String].self, forKey: .additionalCAPaths) ?? []
        self.traceLevel = try container.decodeIfPresent(LogLevel.self, forKey: .traceLevel) ?? .info
        self.tracesSampler = try container.decodeIfPresent(String.self, forKey: .tracesSampler)
        self.tracesSamplerArg = try container.decodeIfPresent(String.self, forKey: .tracesSamplerArg)
        self.maxBatchQueueSize = try container.decodeIfPresent(Int.self, forKey: .maxBatchQueueSize)
        self.concurrentExports = try container.decodeIfPresent(Int.self, forKey: .concurrentExports)
    }

    /// Writes the settings in the Rust field order, leaving out unset optional fields.
    /// - Parameter encoder: The encoder to write to.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(self.enableObservability, forKey: .enableObservability)
        try container.encodeIfPresent(self.enableTraces, forKey: .enableTraces)
        try container.encodeIfPresent(self.enableMetrics, forKey: .enableMetrics)
        try container.encodeIfPresent(self.enableLogs, forKey: .enableLogs)
        try container.encodeIfPresent(self.observabilityEndpoint, forKey: .observabilityEndpoint)
        try container.encodeIfPresent(self.tracesEndpoint, forKey: .tracesEndpoint)
        try container.encodeIfPresent(self.metricsEndpoint, forKey: .metricsEndpoint)
        try container.encodeIfPresent(self.logsEndpoint, forKey: .logsEndpoint)
        try container.encode(self.exportProtocol, forKey: .exportProtocol)
        try container.encode(self.additionalCAPaths, forKey: .additionalCAPaths)
        try container.encode(self.traceLevel, forKey: .traceLevel)
        try container.encodeIfPresent(self.tracesSampler, forKey: .tracesSampler)
        try container.encodeIfPresent(self.tracesSamplerArg, forKey: .tracesSamplerArg)
        try container.encodeIfPresent(self.maxBatchQueueSize, forKey: .maxBatchQueueSize)
        try container.encodeIfPresent(self.concurrentExports, forKey: .concurrentExports)
    }
}
