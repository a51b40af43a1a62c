// Stylesheets imported by the scripts come in as text (esbuild's text loader).
declare module "*.css" {
  const css: string;
  export default css;
}
