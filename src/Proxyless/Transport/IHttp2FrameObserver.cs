namespace Proxyless.Transport;

/// <summary>Receives the frames an <see cref="Http2FrameScanner"/> finds.</summary>
internal interface IHttp2FrameObserver
{
    void OnFrame(in Http2Frame frame);
}
