// The frontend client: see README.md "Frontend client". (Filled in by the client work.)
export {};
