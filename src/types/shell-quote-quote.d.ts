/** shell-quote's quoting half alone: the package index also pulls in its parser. */
declare module "shell-quote/quote.js" {
  function quote(args: readonly string[]): string;
  export = quote;
}
