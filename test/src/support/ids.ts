/** Relay global IDs as the server encodes them: base64("Type:id"). */
export const globalId = (type: string, id: string) => Buffer.from(`${type}:${id}`).toString('base64');
