/** Escape text for element content or a double-quoted attribute (XML 1.0 2.4, 3.3.3); CR is kept as a reference so it survives parsing. */
export function escapeXml(text: string): string {
  return text.replace(/[&<>"'\r]/g, (c) => {
    switch (c) {
      case '&': return '&amp;';
      case '<': return '&lt;';
      case '>': return '&gt;';
      case '"': return '&quot;';
      case "'": return '&apos;';
      default: return '&#13;';
    }
  });
}
