namespace Proxyless.Calls;

/// <summary>Copies the content headers of a wrapped <see cref="HttpContent"/> to its wrapper.</summary>
internal static class HttpContentHeaderCopy
{
    public static void CopyHeaders(HttpContent from, HttpContent to)
    {
        foreach (var header in from.Headers.NonValidated)
        {
            if (header.Value.Count == 1)
            {
                to.Headers.TryAddWithoutValidation(header.Key, header.Value.ToString());
            }
            else
            {
                to.Headers.TryAddWithoutValidation(header.Key, header.Value);
            }
        }
    }
}
