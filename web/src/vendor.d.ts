// chartjs-adapter-date-fns ships no types; it is imported only for its side effect (it registers
// the date adapter with Chart.js).
declare module 'chartjs-adapter-date-fns';
