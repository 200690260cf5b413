// Fills the "Based on your cart" block. No dependencies, deferred.
// The app proxy says which products go with the cart; each product's own storefront JSON
// (/products/{handle}.js, served and cached by Shopify) then gives what this shopper
// should see: the title in their language, the price in their currency and market, and
// whether it can be bought right now. A product that cannot be bought is left out.
(function () {
  var sections = document.querySelectorAll("[data-pathwise-cart]");
  Array.prototype.forEach.call(sections, function (section) {
    var ids = section.getAttribute("data-product-ids");
    if (!ids) return;
    var root = (section.getAttribute("data-root") || "/").replace(/\/$/, "");
    var locale = section.getAttribute("data-locale") || document.documentElement.lang || "en";
    var currency = section.getAttribute("data-currency");
    var url = section.getAttribute("data-endpoint") + "?product_ids=" + encodeURIComponent(ids) +
      "&limit=" + encodeURIComponent(section.getAttribute("data-limit") || "4") + "&locale=" + encodeURIComponent(locale);

    function formatMoney(cents) {
      // Storefront JSON gives amounts in hundredths of the currency, whatever its decimals.
      try {
        return new Intl.NumberFormat(locale, { style: "currency", currency: currency }).format(cents / 100);
      } catch (error) {
        return null;
      }
    }

    // The shopper's view of one product, or the proxy's when its JSON cannot be had.
    function live(product) {
      if (!product.handle || !currency) return Promise.resolve(product);
      return fetch(root + "/products/" + encodeURIComponent(product.handle) + ".js", { headers: { Accept: "application/json" } })
        .then(function (response) { return response.ok ? response.json() : null; })
        .then(function (json) {
          if (!json) return product;
          var variant = (json.variants || []).filter(function (candidate) { return candidate.available; })[0];
          return {
            title: json.title || product.title,
            url: root + "/products/" + json.handle,
            image: product.image,
            price: json.price_varies ? null : formatMoney(json.price),
            priceFrom: json.price_varies ? formatMoney(json.price_min) : null,
            available: Boolean(json.available && variant),
            variant_id: variant ? String(variant.id) : null,
          };
        })
        .catch(function () { return product; });
    }

    function card(product) {
      var item = document.createElement("li");
      item.className = "pathwise-card";
      var link = document.createElement("a");
      link.className = "pathwise-card__link";
      link.href = product.url;
      if (product.image) {
        var image = document.createElement("img");
        image.src = product.image;
        image.alt = product.title;
        image.loading = "lazy";
        image.width = 360;
        image.height = 360;
        image.className = "pathwise-card__image";
        link.appendChild(image);
      }
      var title = document.createElement("span");
      title.className = "pathwise-card__title";
      title.textContent = product.title;
      link.appendChild(title);
      item.appendChild(link);
      var shown = product.price || (product.priceFrom && section.getAttribute("data-price-from").replace("__PRICE__", product.priceFrom));
      if (shown) {
        var price = document.createElement("p");
        price.className = "pathwise-card__price";
        price.textContent = shown;
        item.appendChild(price);
      }
      if (product.variant_id) {
        var form = document.createElement("form");
        form.method = "post";
        form.action = section.getAttribute("data-cart-add");
        form.className = "pathwise-card__form";
        form.innerHTML = '<input type="hidden" name="id"><input type="hidden" name="quantity" value="1"><button type="submit" class="pathwise-card__button"></button>';
        form.querySelector('[name="id"]').value = product.variant_id;
        var button = form.querySelector("button");
        button.textContent = section.getAttribute("data-add-label");
        button.setAttribute("aria-label", section.getAttribute("data-add-aria").replace("__TITLE__", product.title));
        item.appendChild(form);
      }
      return item;
    }

    fetch(url, { headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : { products: [] }; })
      .then(function (data) { return Promise.all((data.products || []).map(live)); })
      .then(function (products) {
        var list = section.querySelector("ul");
        products.forEach(function (product) {
          if (product.available) list.appendChild(card(product));
        });
        if (list.children.length) section.hidden = false;
      })
      .catch(function () { /* suggestions are optional: the cart works without them */ });
  });
})();
