using Spectre.Console;

namespace Proxyless.Tests.Support;

/// <summary>A Spectre console for CLI tests: plain text, no colours, not interactive, 200 columns, into a string.</summary>
internal static class TestConsole
{
    public static (IAnsiConsole Console, StringWriter Output) Create()
    {
        var output = new StringWriter();
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = AnsiSupport.No,
            ColorSystem = ColorSystemSupport.NoColors,
            Interactive = InteractionSupport.No,
            Out = new AnsiConsoleOutput(output),
        });
        console.Profile.Width = 200;
        return (console, output);
    }
}
