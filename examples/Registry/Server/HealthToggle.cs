using Grpc.Health.V1;
using Grpc.HealthCheck;

namespace Registry.Server;

/// <summary>
/// Lets a person flip the server's health to show traffic draining away and coming back: while the flag file exists
/// (<c>--not-serving-file PATH</c>) the server reports NOT_SERVING; in a terminal, the keys <c>n</c> and <c>s</c>
/// switch to NOT_SERVING and SERVING.
/// </summary>
public sealed class HealthToggle(HealthServiceImpl health, string serviceName, string? flagFile) : BackgroundService
{
    private bool? _notServing;

    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var interactive = !Console.IsInputRedirected;
        while (!stoppingToken.IsCancellationRequested)
        {
            bool? wanted = flagFile is not null ? File.Exists(flagFile) : null;
            while (interactive && Console.KeyAvailable)
            {
                wanted = Console.ReadKey(intercept: true).KeyChar switch
                {
                    'n' => true,
                    's' => false,
                    _ => wanted,
                };
            }

            if (wanted is { } notServing && notServing != _notServing)
            {
                _notServing = notServing;
                var status = notServing ? HealthCheckResponse.Types.ServingStatus.NotServing : HealthCheckResponse.Types.ServingStatus.Serving;
                health.SetStatus("", status);
                health.SetStatus(serviceName, status);
                Console.WriteLine($"health: {status}");
            }

            try
            {
                await Task.Delay(200, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }
}
