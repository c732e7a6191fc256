using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Proxyless.Tests.Support;

/// <summary>Keeps every log line in memory, so a test can assert on what was logged or print it when it fails.</summary>
internal sealed class RecordingLoggerProvider : ILoggerProvider
{
    private readonly ConcurrentQueue<string> _lines = new();

    public IReadOnlyCollection<string> Lines => _lines;

    public override string ToString() => string.Join("\n", _lines);

    public static ILoggerFactory CreateFactory(out RecordingLoggerProvider provider, LogLevel minimum = LogLevel.Debug)
    {
        var recording = new RecordingLoggerProvider();
        provider = recording;
        return LoggerFactory.Create(b => b.SetMinimumLevel(minimum).AddProvider(recording));
    }

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void Dispose()
    {
    }

    private sealed class Logger(RecordingLoggerProvider owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            => owner._lines.Enqueue($"{DateTime.UtcNow:HH:mm:ss.fff} {logLevel} {category.Split('.')[^1]}: {formatter(state, exception)}");
    }
}
