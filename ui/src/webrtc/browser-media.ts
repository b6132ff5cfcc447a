// Placeholder until the WebRTC branch lands: the browser half of the hub's WebRTC media.
export class BrowserMedia {
  async answer(_session: string, _sdp: string): Promise<string> {
    throw new Error('WebRTC not available yet');
  }
  close(_session: string): void {}
  closeAll(): void {}
}
