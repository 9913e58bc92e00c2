//===----------------------------------------------------------------------===//
// This source file is part of the provider-runtime open source project.
// Licensed under Apache License v2.0. See LICENSE for details.
//===----------------------------------------------------------------------===//

/// When and how quickly a supervisor restarts a provider process that has exited.
///
/// The policy combines three well-known supervision ideas:
///
/// - **Whether** to restart, like systemd's `Restart=`: ``Mode`` chooses between ``Mode/onFailure``
///   (the default), ``Mode/always`` and ``Mode/never``, refined by ``preventExitCodes`` and
///   ``forceExitCodes``.
/// - **How long** to wait, like Kubernetes' `CrashLoopBackOff`: the first restart is immediate, later
///   ones back off exponentially from ``initialDelay`` up to ``maxDelay`` with random ``jitter``, and
///   a process that stayed up for ``resetAfter`` starts over from the first attempt.
/// - **When to give up**, like an OTP supervisor's intensity and period: ``giveUp`` stops restarting
///   after too many restarts within a sliding window.
///
/// The policy is a pure value: it never reads a clock. ``RestartTracker`` applies it to the exits of one
/// process, using instants supplied by the caller.
///
/// ```swift
/// var policy = RestartPolicy.default
/// policy.maxDelay = .seconds(30)
/// policy.giveUp = RestartPolicy.GiveUp(maxRestarts: 5, window: .seconds(300))
/// precondition(policy.problems.isEmpty)
/// ```
public struct RestartPolicy: Hashable, Sendable {
    /// Which exits lead to a restart, before ``RestartPolicy/preventExitCodes`` and
    /// ``RestartPolicy/forceExitCodes`` are applied.
    public struct Mode: Hashable, Sendable, CustomStringConvertible {
        private enum Kind: Hashable, Sendable {
            case onFailure
            case always
            case never
        }

        private let kind: Kind

        private init(_ kind: Kind) {
            self.kind = kind
        }

        /// Restart after a failure: a non-zero exit code or termination by a signal. This is the default.
        public static let onFailure = Mode(.onFailure)

        /// Restart after every exit, including a clean exit with code `0`.
        public static let always = Mode(.always)

        /// Never restart (unless the exit code is listed in ``RestartPolicy/forceExitCodes``).
        public static let never = Mode(.never)

        /// The systemd-style spelling of the mode: `on-failure`, `always` or `never`.
        public var description: String {
            switch kind {
            case .onFailure: "on-failure"
            case .always: "always"
            case .never: "never"
            }
        }

        /// Whether this mode alone restarts after the given exit.
        func restarts(after status: ExitStatus) -> Bool {
            switch kind {
            case .onFailure: !status.isSuccess
            case .always: true
            case .never: false
            }
        }
    }

    /// A limit on how many restarts may happen within a sliding time window.
    ///
    /// More than ``maxRestarts`` restarts within any ``window`` means the process is not going to
    /// recover on its own, and the supervisor gives up (like OTP's *intensity* and *period*).
    public struct GiveUp: Hashable, Sendable {
        /// The number of restarts allowed within ``window``; one more means giving up.
        ///
        /// `0` gives up at the first exit that would otherwise restart.
        public var maxRestarts: Int

        /// The length of the sliding window in which restarts are counted.
        public var window: Duration

        /// Creates a give-up limit.
        ///
        /// - Parameters:
        ///   - maxRestarts: The number of restarts allowed within `window`; one more means giving up.
        ///   - window: The length of the sliding window in which restarts are counted.
        public init(maxRestarts: Int, window: Duration) {
            self.maxRestarts = maxRestarts
            self.window = window
        }
    }

    /// Which exits lead to a restart. Defaults to ``Mode/onFailure``.
    public var mode: Mode

    /// Exit codes after which the process is never restarted, whatever ``mode`` says.
    ///
    /// Takes precedence over ``forceExitCodes``: a code in both sets does not restart.
    /// Only applies to ``ExitStatus/exited(_:)``, never to signals.
    public var preventExitCodes: Set<Int32>

    /// Exit codes after which the process is always restarted, even with ``Mode/never``
    /// (and even for code `0` with ``Mode/onFailure``).
    ///
    /// ``preventExitCodes`` takes precedence: a code in both sets does not restart.
    /// Only applies to ``ExitStatus/exited(_:)``, never to signals.
    public var forceExitCodes: Set<Int32>

    /// The delay before the second restart; later restarts grow from here. Defaults to 1 second.
    ///
    /// The first restart after a (re)set is always immediate.
    public var initialDelay: Duration

    /// The upper bound of the backoff delay before jitter is applied. Defaults to 60 seconds.
    public var maxDelay: Duration

    /// The factor by which the delay grows with each further restart. Defaults to `2`.
    public var multiplier: Double

    /// The random spread applied to each delay, as a fraction in `0...1`. Defaults to `0.2` (±20 %).
    ///
    /// A delay `d` becomes a uniformly random value in `d * (1 - jitter) ... d * (1 + jitter)`, so a
    /// jittered delay may exceed ``maxDelay`` by up to this fraction. Spreading restarts avoids many
    /// providers restarting in lock-step.
    public var jitter: Double

    /// How long a process must stay up for its exit to start the backoff over. Defaults to 60 seconds.
    ///
    /// After such a stable run the next restart is attempt 1 again, which is immediate.
    public var resetAfter: Duration

    /// The limit after which the supervisor stops restarting, or `nil` (the default) to never give up.
    public var giveUp: GiveUp?

    /// Creates a restart policy.
    ///
    /// - Parameters:
    ///   - mode: Which exits lead to a restart.
    ///   - preventExitCodes: Exit codes that never restart; they win over `forceExitCodes`.
    ///   - forceExitCodes: Exit codes that always restart, whatever `mode` says.
    ///   - initialDelay: The delay before the second restart.
    ///   - maxDelay: The upper bound of the delay before jitter.
    ///   - multiplier: The factor by which the delay grows per restart.
    ///   - jitter: The random spread of each delay, as a fraction in `0...1`.
    ///   - resetAfter: The uptime after which the backoff starts over.
    ///   - giveUp: The limit after which restarting stops, or `nil` to never give up.
    public init(
        mode: Mode = .onFailure,
        preventExitCodes: Set<Int32> = [],
        forceExitCodes: Set<Int32> = [],
        initialDelay: Duration = .seconds(1),
        maxDelay: Duration = .seconds(60),
        multiplier: Double = 2,
        jitter: Double = 0.2,
        resetAfter: Duration = .seconds(60),
        giveUp: GiveUp? = nil
    ) {
        self.mode = mode
        self.preventExitCodes = preventExitCodes
        self.forceExitCodes = forceExitCodes
        self.initialDelay = initialDelay
        self.maxDelay = maxDelay
        self.multiplier = multiplier
        self.jitter = jitter
        self.resetAfter = resetAfter
        self.giveUp = giveUp
    }

    /// The default policy: restart on failure, back off 0 s, 1 s, 2 s, 4 s … up to 60 s with ±20 % jitter,
    /// start over after 60 s of uptime, and never give up.
    public static let `default` = RestartPolicy()

    /// Decides whether an exit leads to a restart, ignoring backoff and give-up limits.
    ///
    /// For ``ExitStatus/exited(_:)`` the code is looked up first in ``preventExitCodes`` (no restart),
    /// then in ``forceExitCodes`` (restart); otherwise ``mode`` decides. A signal always goes to
    /// ``mode`` and counts as a failure.
    ///
    /// - Parameter status: How the process ended.
    /// - Returns: `true` when the process should be restarted.
    public func shouldRestart(after status: ExitStatus) -> Bool {
        if let code = status.exitCode {
            if preventExitCodes.contains(code) { return false }
            if forceExitCodes.contains(code) { return true }
        }
        return mode.restarts(after: status)
    }

    /// The backoff delay before a restart, without jitter.
    ///
    /// Attempt 1 (the first restart) is `.zero`. Attempt `n ≥ 2` is
    /// `min(initialDelay * multiplier^(n - 2), maxDelay)`. The result is never negative and never
    /// overflows, however large `attempt` is; an attempt of `0` or less counts as attempt 1.
    ///
    /// - Parameter attempt: The 1-based number of the restart since the backoff last started over.
    /// - Returns: The delay to wait before starting the process again.
    public func baseDelay(forAttempt attempt: Int) -> Duration {
        guard attempt > 1 else { return .zero }
        let initial = max(initialDelay, .zero)
        let cap = max(maxDelay, .zero)
        guard initial < cap else { return cap }
        guard initial > .zero else { return .zero }
        let factor = Self.power(multiplier, attempt - 2)
        // `cap / initial` is finite and > 1 here; comparing factors avoids multiplying huge durations.
        guard factor.isFinite, factor < cap / initial else { return cap }
        guard factor > 0 else { return .zero }
        return factor == 1 ? initial : initial * factor
    }

    /// The backoff delay before a restart, with jitter drawn from `generator`.
    ///
    /// Attempt 1 is `.zero` and draws nothing. Otherwise ``baseDelay(forAttempt:)`` is multiplied by a
    /// uniformly random factor in `(1 - jitter)...(1 + jitter)`, with ``jitter`` clamped to `0...1`.
    /// With a jitter of `0` the base delay is returned exactly and nothing is drawn.
    ///
    /// - Parameters:
    ///   - attempt: The 1-based number of the restart since the backoff last started over.
    ///   - generator: The source of randomness, for example a seeded generator in tests.
    /// - Returns: The delay to wait before starting the process again; never negative.
    public func delay(forAttempt attempt: Int, using generator: inout some RandomNumberGenerator) -> Duration {
        let base = baseDelay(forAttempt: attempt)
        let spread = jitter.isNaN ? 0 : min(max(jitter, 0), 1)
        guard base > .zero, spread > 0, base <= Self.largestJitteredDelay else { return base }
        let factor = Double.random(in: (1 - spread)...(1 + spread), using: &generator)
        return max(base * factor, .zero)
    }

    /// Human-readable descriptions of every invalid setting; empty when the policy is valid.
    ///
    /// Reported are: negative ``initialDelay``, ``maxDelay`` or ``resetAfter``; ``maxDelay`` below
    /// ``initialDelay``; a ``multiplier`` that is not a finite number of at least `1`; a ``jitter``
    /// outside `0...1`; and a ``giveUp`` with a negative ``GiveUp/maxRestarts`` or a non-positive
    /// ``GiveUp/window``.
    public var problems: [String] {
        var problems: [String] = []
        if initialDelay < .zero {
            problems.append("initialDelay must not be negative, but is \(initialDelay)")
        }
        if maxDelay < .zero {
            problems.append("maxDelay must not be negative, but is \(maxDelay)")
        }
        if maxDelay < initialDelay {
            problems.append("maxDelay (\(maxDelay)) must not be less than initialDelay (\(initialDelay))")
        }
        if !multiplier.isFinite || multiplier < 1 {
            problems.append("multiplier must be a finite number of at least 1, but is \(multiplier)")
        }
        if !(0...1).contains(jitter) {
            problems.append("jitter must be a fraction between 0 and 1, but is \(jitter)")
        }
        if resetAfter < .zero {
            problems.append("resetAfter must not be negative, but is \(resetAfter)")
        }
        if let giveUp {
            if giveUp.maxRestarts < 0 {
                problems.append("giveUp.maxRestarts must not be negative, but is \(giveUp.maxRestarts)")
            }
            if giveUp.window <= .zero {
                problems.append("giveUp.window must be positive, but is \(giveUp.window)")
            }
        }
        return problems
    }

    /// Delays above this are returned without jitter, so that scaling them can never overflow `Duration`.
    private static let largestJitteredDelay = Duration.seconds(Int64.max / 4)

    /// `base` raised to a non-negative integer power by repeated squaring; overflows to infinity.
    private static func power(_ base: Double, _ exponent: Int) -> Double {
        var result = 1.0
        var square = base
        var remaining = exponent
        while remaining > 0 {
            if remaining & 1 == 1 { result *= square }
            remaining >>= 1
            if remaining > 0 { square *= square }
            if !result.isFinite || result == 0 { break }
        }
        return result
    }
}
