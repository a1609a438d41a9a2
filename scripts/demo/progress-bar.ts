/** A one-line progress bar on a terminal (redrawn in place), or a line per whole ten per cent elsewhere. */
export function progressBar(stream: NodeJS.WriteStream, width = 30): (done: number, total: number, step: string) => void {
  let lastTenth = -1;
  return (done, total, step) => {
    const fraction = total === 0 ? 1 : Math.min(done / total, 1);
    const filled = Math.round(fraction * width);
    const line = `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${(fraction * 100).toFixed(0).padStart(3)} % ${step}`;
    if (stream.isTTY) {
      stream.write(`\r${line.slice(0, (stream.columns || 80) - 1).padEnd((stream.columns || 80) - 1)}${fraction === 1 ? '\n' : ''}`);
    } else if (Math.floor(fraction * 10) > lastTenth) {
      lastTenth = Math.floor(fraction * 10);
      stream.write(`${line}\n`);
    }
  };
}
