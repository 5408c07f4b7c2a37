// The demo shop's catalogue. Prices are in euros; any two of the larger items make a cart of 100 or more,
// which is what the default rule checkout-hesitation waits for.
window.DEMO_PRODUCTS = [
  {
    id: 'brass-lamp', name: 'Brass desk lamp', category: 'lighting', price: 120,
    colour: '#d9a441', summary: 'A solid brass lamp with a linen shade and a warm, dimmable light.'
  },
  {
    id: 'oak-table', name: 'Oak side table', category: 'furniture', price: 89,
    colour: '#a0714f', summary: 'Oiled European oak, small enough for a reading corner.'
  },
  {
    id: 'linen-cushion', name: 'Linen cushion', category: 'textiles', price: 35,
    colour: '#8fa6a0', summary: 'Stone-washed linen, feather filled, 45 by 45 cm.'
  },
  {
    id: 'ceramic-vase', name: 'Ceramic vase', category: 'decoration', price: 28,
    colour: '#c47a6b', summary: 'Hand-thrown stoneware with a matt terracotta glaze.'
  }
];
