package io.nudge.engine.facts;

/**
 * One line of the cart, from the Segment E-commerce spec's product properties.
 *
 * @param productId {@code product_id} (or {@code sku} when there is no product id)
 * @param name product name, or null
 * @param category product category, or null
 * @param price unit price, 0 when not sent
 * @param quantity how many, at least 1
 */
public record CartItem(String productId, String name, String category, double price, int quantity) {

  public double value() {
    return price * quantity;
  }

  /** Getters in bean style so rules can write {@code CartItem(productId == "p1")}. */
  public String getProductId() {
    return productId;
  }

  public String getName() {
    return name;
  }

  public String getCategory() {
    return category;
  }

  public double getPrice() {
    return price;
  }

  public int getQuantity() {
    return quantity;
  }
}
